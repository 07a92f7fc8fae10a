package dev.drpo.operators.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link LiveCatalog}'s task thread in tests: work handed over waits in a queue until the test runs it. */
public final class QueuedTaskThread implements LiveCatalog.TaskThread {
  private final BlockingQueue<Runnable> mails = new LinkedBlockingQueue<>();
  /** The descriptions of the mails run so far, in order. */
  public final List<String> descriptions = new ArrayList<>();

  @Override
  public void execute(Runnable work, String description) {
    mails.add(() -> {
      descriptions.add(description);
      work.run();
    });
  }

  /** Waits for the next mail (30 s at most) and runs it. */
  public void runNext() throws InterruptedException {
    Runnable mail = mails.poll(30, TimeUnit.SECONDS);
    assertThat(mail).as("a mail within 30 s").isNotNull();
    mail.run();
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
