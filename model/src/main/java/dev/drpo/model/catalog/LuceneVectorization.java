package dev.drpo.model.catalog;

import java.lang.reflect.Field;
import java.util.Map;
import org.apache.lucene.util.Version;

/**
 * Which of Lucene's vector implementations this JVM runs: the SIMD one ({@code Panama...}, Java 21+
 * with the {@code jdk.incubator.vector} module added) or the scalar fallback ({@code Default...}),
 * which a JVM started without {@code --add-modules=jdk.incubator.vector} silently gets. Lucene says
 * so only in a log line and keeps its provider internal, so it is read from the implementation
 * {@code VectorUtil} delegates to. The benches report it and refuse to measure without SIMD.
 */
public final class LuceneVectorization {
  private static final String IMPLEMENTATION = readImplementation();

  private LuceneVectorization() {}

  private static String readImplementation() {
    try {
      Field impl = org.apache.lucene.util.VectorUtil.class.getDeclaredField("IMPL");
      impl.setAccessible(true);
      return impl.get(null).getClass().getSimpleName();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return "unknown (" + e + ")";
    }
  }

  /** Lucene's vector implementation in this JVM, e.g. PanamaVectorUtilSupport. */
  public static String implementation() {
    return IMPLEMENTATION;
  }

  public static boolean simd() {
    return IMPLEMENTATION.startsWith("Panama");
  }

  /** What a benchmark's JSON says of the runtime it measured. */
  public static Map<String, Object> runtime() {
    return Map.of("java", Runtime.version().toString(), "lucene", Version.LATEST.toString(), "lucene_vectorization", IMPLEMENTATION);
  }

  /** Fails, saying why, unless Lucene runs its SIMD code (a measurement without it measures the wrong thing). */
  public static void requireSimd() {
    if (!simd()) {
      throw new IllegalStateException("Lucene runs its scalar vector code (" + IMPLEMENTATION + ") on Java " + Runtime.version()
          + ": start the JVM with --add-modules=jdk.incubator.vector (./drpo does; so do the build's tests)");
    }
  }
}
