package dev.drpo.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.JobID;

/**
 * The failures of a job on a local cluster, which a console that logs Flink at ERROR would hide:
 * read from the job's exception history on the cluster's REST API ({@code /jobs/:id/exceptions}),
 * each printed once, with the first line of its cause and the deepest "Caused by", and counted.
 * Not thread-safe: one driver owns it.
 */
public final class JobFailures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final URI history;
  private final PrintStream console;
  private final Set<String> printed = new HashSet<>();
  private String firstCause;

  public JobFailures(int restPort, JobID job, PrintStream console) {
    this.history = URI.create("http://localhost:" + restPort + "/jobs/" + job + "/exceptions");
    this.console = console;
  }

  /**
   * Prints the failures in the job's history not printed yet, oldest first. An endpoint that does
   * not answer is left for the next call: this never fails the run it reports on.
   */
  public void check() {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(history).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return;
      }
      List<JsonNode> fresh = new ArrayList<>();
      for (JsonNode entry : JSON.readTree(response.body()).path("exceptionHistory").path("entries")) {
        if (printed.add(entry.path("timestamp").asText() + "/" + entry.path("taskName").asText())) {
          fresh.add(0, entry); // the history is newest first
        }
      }
      int number = printed.size() - fresh.size();
      for (JsonNode entry : fresh) {
        String cause = cause(entry.path("stacktrace").asText(entry.path("exceptionName").asText()));
        if (firstCause == null) {
          firstCause = cause;
        }
        console.printf("job failure %d%s (Flink restarts the job by its restart strategy): %s%n", ++number,
            entry.hasNonNull("taskName") ? " in " + entry.get("taskName").asText() : "", cause);
      }
    } catch (IOException e) {
      // not up yet, or gone: the next report asks again
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Prints how many failures there were and the first one's cause, if there were any. */
  public void printTotal() {
    if (failures() > 0) {
      console.printf("the job failed %d times; the first: %s%n", failures(), firstCause);
    }
  }

  /** How many failures were printed. */
  public int failures() {
    return printed.size();
  }

  /** The first failure's cause, or null. */
  public String firstCause() {
    return firstCause;
  }

  /** The stack trace's first line, and its deepest "Caused by:" line where it has one. */
  static String cause(String stacktrace) {
    String[] lines = stacktrace.split("\\R");
    String deepest = null;
    for (String line : lines) {
      if (line.startsWith("Caused by: ")) {
        deepest = line.substring("Caused by: ".length());
      }
    }
    return deepest == null || deepest.equals(lines[0]) ? lines[0] : lines[0] + " <- " + deepest;
  }
}
