package dev.drpo.job.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The sanity check before a job or a client starts: within a timeout, the cluster answers, accepts
 * the credentials and has every topic. Each failure is one line naming the servers and, where it
 * is about a topic, the topic and the setting that names it; so a wrong address, password or topic
 * name ends the command at once instead of hanging or restarting a job forever.
 */
public final class KafkaPreflight {
  private KafkaPreflight() {}

  /** What is wrong with the cluster, in one line. */
  public static final class Failure extends RuntimeException {
    private final boolean passing;

    Failure(String message) {
      this(message, false);
    }

    Failure(String message, boolean passing) {
      super(message);
      this.passing = passing;
    }

    /** Whether it may pass by itself (no broker answered, a retriable error), unlike a missing topic or refused credentials. */
    public boolean passing() {
      return passing;
    }
  }

  /**
   * @param topics setting name -> topic, e.g. kafka.topics.items -> items
   * @throws Failure if the cluster does not answer within {@code timeout}, refuses the credentials
   *     or lacks a topic
   */
  public static void check(KafkaConnection kafka, Map<String, String> topics, Duration timeout) {
    Properties props = kafka.clientProperties();
    String ms = String.valueOf(timeout.toMillis());
    props.setProperty("default.api.timeout.ms", ms);
    props.setProperty("request.timeout.ms", ms);
    String where = "Kafka at " + kafka.bootstrapServers();
    try (Admin admin = Admin.create(props)) {
      Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics.values()).topicNameValues();
      for (Map.Entry<String, String> topic : topics.entrySet()) {
        try {
          described.get(topic.getValue()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof UnknownTopicOrPartitionException) {
            throw new Failure(where + ": topic '" + topic.getValue() + "' (" + topic.getKey() + ") does not exist");
          }
          if (cause instanceof AuthenticationException) {
            throw new Failure(where + " refused the credentials (kafka.properties.*): " + cause.getMessage());
          }
          if (cause instanceof AuthorizationException) {
            throw new Failure(where + ": not authorized to describe topic '" + topic.getValue() + "' (" + topic.getKey() + ")");
          }
          if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            throw unanswered(where, timeout);
          }
          throw new Failure(where + ": " + cause, cause instanceof RetriableException);
        } catch (java.util.concurrent.TimeoutException e) {
          throw unanswered(where, timeout);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Failure(where + ": interrupted while checking the topics");
        }
      }
    }
  }

  private static Failure unanswered(String where, Duration timeout) {
    return new Failure(where + ": no broker answered within " + timeout.toMillis() / 1000.0
        + " s (kafka.bootstrap-servers, kafka.connect-timeout; for a secured cluster kafka.properties.security.protocol)", true);
  }
}
