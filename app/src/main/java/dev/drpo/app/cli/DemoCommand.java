package dev.drpo.app.cli;

import dev.drpo.app.demo.Demo;
import dev.drpo.app.demo.TrafficRun;
import dev.drpo.job.JobConfig;
import dev.drpo.simulator.SimulatorConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drpo demo}: broker, job and simulated users in one JVM. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the whole loop on this machine, nothing installed: a Kafka broker in-process (KRaft), the DRPO job on",
      "a local Flink cluster with its web UI, and the simulator's users. Logged medium-quality traffic is replayed",
      "first (offline); then the users are served by the learning policy (online), a share still by the logging",
      "policy. Writes DIR/demo.json and DIR/demo.png. Ctrl-C stops it cleanly (the report is still written)."})
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--duration", defaultValue = "120s", description = "Wall-clock length, e.g. 120s or 5m (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--out", defaultValue = "results/demo", description = "Report directory (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--kafka-port", defaultValue = "0", description = "Broker port on localhost (default: any free port).")
  int kafkaPort;

  @Option(names = "--ui-port", defaultValue = "8081", description = "Flink web UI port (default: ${DEFAULT-VALUE}).")
  int uiPort;

  @Option(names = "--offline-hours", defaultValue = "4", description = "Simulated hours of logged traffic replayed first (default: ${DEFAULT-VALUE}).")
  int offlineHours;

  @Option(names = "--tick-minutes", defaultValue = "15", description = "Simulated minutes per online round trip (default: ${DEFAULT-VALUE}).")
  int tickMinutes;

  @Option(names = "--logging-share", defaultValue = "0.2", description = "Share of online requests the logging policy serves (default: ${DEFAULT-VALUE}).")
  double loggingShare;

  @Option(names = "--realtime", description = "Users act at wall-clock time, events stamped now, each user every --user-interval; no offline phase.")
  boolean realtime;

  @Option(names = "--user-interval", defaultValue = "2s", description = "With --realtime: how often each user acts (default: ${DEFAULT-VALUE}).")
  String userInterval;

  @Option(names = "--seed", defaultValue = "1", description = "World and traffic seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--set", description = "A job setting, key=value as in conf/job.yaml (repeatable).")
  Map<String, String> settings = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    if (kafkaPort < 0 || offlineHours < 0 || tickMinutes < 1 || !(loggingShare >= 0 && loggingShare <= 1)) {
      throw new IllegalArgumentException("need --kafka-port >= 0, --offline-hours >= 0, --tick-minutes >= 1, --logging-share in [0, 1]");
    }
    TrafficRun.Options traffic = new TrafficRun.Options(JobConfig.parseDuration("--duration", duration), out, offlineHours,
        tickMinutes, loggingShare, 0.002, seed,
        realtime ? JobConfig.parseDuration("--user-interval", userInterval) : null);
    Demo demo = new Demo(new Demo.Options(traffic, kafkaPort, uiPort, SimulatorConfig.defaults(), settings), System.out);
    return DrpoCli.untilInterrupted(demo::stop, demo::run, summary -> Demo.exitCode(summary, System.err));
  }
}
