package dev.drpo.app.bench;
import dev.drpo.operators.DataPath;
import dev.drpo.operators.event.DecoderConfig;
import dev.drpo.operators.filter.FilterConfig;
import dev.drpo.operators.quality.QualityConfig;
import dev.drpo.operators.quality.QualitySample;
import dev.drpo.operators.session.SessionConfig;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
public class SessCheck {
  public static void main(String[] a) throws Exception {
    long records = Long.parseLong(a[0]);
    var env = StreamExecutionEnvironment.createLocalEnvironment(2);
    var raw = env.fromSource(new DataGeneratorSource<>(DataPathBenchmark.interaction(10_000, records, 2), records, RateLimiterStrategy.noOp(), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO), WatermarkStrategy.noWatermarks(), "gen");
    var config = new DataPath.Config(DecoderConfig.defaults("bench", 0), new SessionConfig(10 * 60_000L, 0, 500), QualityConfig.defaults(), FilterConfig.defaults());
    var streams = DataPath.build(raw, DataPath.watermarks(Duration.ofSeconds(5), Duration.ofSeconds(10)), config);
    long[] hist = new long[12]; long n = 0;
    try (var it = streams.samples().executeAndCollect()) { while (it.hasNext()) { QualitySample q = it.next(); hist[q.historyItems.length]++; n++; } }
    System.out.println("samples " + n + " history lengths " + java.util.Arrays.toString(hist));
  }
}
