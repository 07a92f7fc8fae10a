import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.simulator.World;
import java.lang.management.ManagementFactory;
import java.util.*;
public class Prof32 {
  static java.lang.reflect.Field acc(java.lang.reflect.Field f) { f.setAccessible(true); return f; }
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[0]); int d = 128; int queries = Integer.parseInt(a[1]);
    String profile = a.length > 2 ? a[2] : "";
    SplittableRandom r = new SplittableRandom(n);
    float[][] centres = World.centres(20, d, r);
    List<String> ids = new ArrayList<>(); List<float[]> vs = new ArrayList<>();
    for (int i = 0; i < n; i++) { ids.add("item-" + i); vs.add(World.around(centres[r.nextInt(20)], 0.7, r)); }
    float[][] qs = new float[queries][]; List<Set<String>> ex = new ArrayList<>();
    for (int q = 0; q < queries; q++) { qs[q] = World.around(centres[r.nextInt(20)], 0.7, r); Set<String> s = new HashSet<>(); while (s.size() < 10) s.add("item-" + r.nextInt(n)); ex.add(s); }
    ItemCatalog exact = new ItemCatalog(d, ItemCatalog.Retrieval.EXACT);
    for (int i = 0; i < n; i++) exact.upsert(ids.get(i), vs.get(i));
    int rq = 200; String[][] truth = new String[rq][];
    for (int q = 0; q < rq; q++) truth[q] = exact.topK(qs[q], 1, 10, List.of(ex.get(q)), ItemCatalog.Similarity.COSINE)[0].ids();
    exact.close();
    ItemCatalog catalog = new ItemCatalog(d, new ItemCatalog.Retrieval(50_000, 32, 200, 150, 1024, "", ""));
    for (int i = 0; i < n; i++) catalog.upsert(ids.get(i), vs.get(i));
    long t0 = System.nanoTime();
    catalog.buildIndex();
    System.out.printf("java %s built %d in %.1f s approximate=%s%n", System.getProperty("java.version"), n, (System.nanoTime() - t0) / 1e9, catalog.approximate());
    double recall = 0;
    for (int q = 0; q < rq; q++) { Set<String> t = Set.of(truth[q]); recall += Arrays.stream(catalog.topK(qs[q], 1, 10, List.of(ex.get(q)), ItemCatalog.Similarity.COSINE)[0].ids()).filter(t::contains).count() / 10.0; }
    System.out.printf("recall@10 %.4f%n", recall / rq);
    var mx = ManagementFactory.getThreadMXBean();
    for (int round = 0; round < 4; round++) {
      if (round == 3 && !profile.isEmpty()) one.profiler.AsyncProfiler.getInstance().execute("start,event=itimer,interval=200us");
      long cpu = mx.getCurrentThreadCpuTime(); long wall = System.nanoTime();
      for (int q = 0; q < queries; q++) catalog.topK(qs[q], 1, 10, List.of(ex.get(q)), ItemCatalog.Similarity.COSINE);
      System.out.printf("round %d: %.3f ms CPU per query, %.3f ms wall%n", round, (mx.getCurrentThreadCpuTime() - cpu) / 1e6 / queries, (System.nanoTime() - wall) / 1e6 / queries);
    }
    if (!profile.isEmpty()) {
      var p = one.profiler.AsyncProfiler.getInstance(); p.execute("stop");
      java.nio.file.Files.writeString(java.nio.file.Path.of(profile + ".collapsed"), p.execute("collapsed"));
      java.nio.file.Files.writeString(java.nio.file.Path.of(profile + ".flat"), p.execute("flat=40"));
    }
    if (Boolean.getBoolean("p32.visits")) { Class<?> h = Class.forName("dev.drpo.model.catalog.HnswIndex");
      long v = ((java.util.concurrent.atomic.AtomicLong) acc(h.getField("VISITS")).get(null)).get(), s = ((java.util.concurrent.atomic.AtomicLong) acc(h.getField("SEARCHES")).get(null)).get();
      System.out.printf("visits per leaf search %.0f over %d%n", v / (double) s, s); }
    catalog.close();
  }
}
