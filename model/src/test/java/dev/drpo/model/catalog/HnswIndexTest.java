package dev.drpo.model.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HnswIndexTest {
  static float[] unit(SplittableRandom r, int d) {
    float[] v = ItemCatalogTest.gaussian(d, r);
    return ItemCatalog.unit("v", v, d);
  }

  @Test
  void shouldProposeTheBestNAcrossAllSegmentsAndMakeUpsertsSearchableWithoutTheCallerReopening() throws Exception {
    SplittableRandom r = new SplittableRandom(7);
    int d = 8;
    try (HnswIndex index = new HnswIndex(null, false, 16, 100, 16)) {
      for (int batch = 0; batch < 3; batch++) { // three bulk loads: three segments at least
        List<String> ids = new ArrayList<>();
        List<float[]> units = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          ids.add("item-" + batch + "-" + i);
          units.add(unit(r, d));
        }
        index.addAll(ids, units);
      }
      assertThat(index.segments()).isGreaterThanOrEqualTo(3);
      assertThat(index.candidates(unit(r, d), 10)).as("one top 10 overall, not 10 per segment").hasSize(10);

      float[] target = unit(r, d);
      index.upsert("new", target);
      float[] elsewhere = new float[d];
      for (int j = 0; j < d; j++) {
        elsewhere[j] = -target[j];
      }
      assertThat(index.candidates(elsewhere, 10)).as("proposed until a reopened searcher covers it").hasSize(11).contains("new");
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (index.candidates(elsewhere, 10).size() > 10 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(index.candidates(elsewhere, 10)).as("the reopen thread made it searchable").hasSize(10).doesNotContain("new");
      assertThat(index.candidates(target, 10)).as("found by the graph").contains("new");
    }
  }

  @Test
  void shouldNeverCommitDataAheadOfTheContentWhenTwoThreadsCommit(@TempDir Path dir) throws Exception {
    int d = 4;
    AtomicInteger applied = new AtomicInteger();
    AtomicBoolean done = new AtomicBoolean();
    List<String> ahead = Collections.synchronizedList(new ArrayList<>());
    try (HnswIndex index = new HnswIndex(dir, false, 16, 100, 16)) {
      Thread writer = new Thread(() -> {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; !done.get(); i++) {
          index.upsert("item-" + i, unit(r, d));
          applied.set(i + 1);
        }
      });
      List<Thread> committers = new ArrayList<>();
      for (int t = 0; t < 2; t++) { // the committer thread and a release on a task thread
        committers.add(new Thread(() -> {
          for (int c = 0; c < 30; c++) {
            String upTo = Integer.toString(applied.get()); // what the caller has applied when it asks
            try (CommittedIndex commit = index.commit(Map.of("applied", upTo));
                Directory files = FSDirectory.open(commit.directory())) {
              int held = 0;
              for (SegmentCommitInfo segment : SegmentInfos.readCommit(files, commit.segmentsFile())) {
                held += segment.info.maxDoc() - segment.getDelCount();
              }
              if (held < Integer.parseInt(commit.data().get("applied"))) {
                ahead.add("a commit of " + held + " items recorded " + commit.data());
              }
            } catch (Exception e) {
              ahead.add(e.toString());
            }
          }
        }));
      }
      writer.start();
      committers.forEach(Thread::start);
      for (Thread committer : committers) {
        committer.join();
      }
      done.set(true);
      writer.join();
    }
    assertThat(ahead).isEmpty();
  }
}
