package dev.drpo.app.bench;
public class ProfDP {
  public static void main(String[] a) throws Exception {
    long records = Long.parseLong(a[0]); boolean full = !a[1].equals("decode");
    String profile = a.length > 2 ? a[2] : "";
    var mx = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    for (int round = 0; round < 3; round++) {
      if (round == 2 && !profile.isEmpty()) one.profiler.AsyncProfiler.getInstance().execute("start,event=itimer,interval=1ms");
      long cpu = mx.getProcessCpuTime();
      var m = DataPathBenchmark.class.getDeclaredMethod("job", long.class, int.class, int.class, boolean.class); m.setAccessible(true);
      var r = (org.apache.flink.api.common.JobExecutionResult) m.invoke(null, records, 10_000, 2, full);
      System.out.printf("round %d: %.0f records/s, %.2f us CPU/record%n", round, records / (r.getNetRuntime() / 1e3), (mx.getProcessCpuTime() - cpu) / 1e3 / records);
    }
    if (!profile.isEmpty()) { var p = one.profiler.AsyncProfiler.getInstance(); p.execute("stop");
      java.nio.file.Files.writeString(java.nio.file.Path.of(profile), p.execute("collapsed")); }
    System.exit(0);
  }
}
