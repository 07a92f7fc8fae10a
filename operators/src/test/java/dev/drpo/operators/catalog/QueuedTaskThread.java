package dev.drpo.operators.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link LiveCatalog}'s task thread in tests: work handed over waits in a queue until the test runs it. */
public final class QueuedTaskThread implements LiveCatalog.TaskThread {
  private record Mail(String description, Runnable work) {}

  private final BlockingQueue<Mail> mails = new LinkedBlockingQueue<>();
  /** The descriptions of the mails run so far, in order. */
  public final List<String> descriptions = new ArrayList<>();

  @Override
  public void execute(Runnable work, String description) {
    mails.add(new Mail(description, work));
  }

  /** Waits for the next mail (30 s at most) without running it; its description. */
  public String waitForMail() throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (mails.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(mails).as("a mail within 30 s").isNotEmpty();
    return mails.peek().description();
  }

  /** Waits for the next mail (30 s at most) and runs it. */
  public void runNext() throws InterruptedException {
    Mail mail = mails.poll(30, TimeUnit.SECONDS);
    assertThat(mail).as("a mail within 30 s").isNotNull();
    descriptions.add(mail.description());
    mail.work().run();
  }

  /** Runs mails until {@code live} is loaded and builds no index; how many it ran. */
  public int runUntilSettled(LiveCatalog live) throws InterruptedException {
    int ran = 0;
    while (!live.loaded() || live.building()) {
      runNext();
      ran++;
    }
    return ran;
  }
}
