package dev.drpo.model.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LuceneVectorizationTest {
  /** The build starts every test JVM with jvm.flags (the pom): without the incubator module Lucene silently goes scalar. */
  @Test
  void shouldRunLucenesSimdCodeUnderTheBuildsFlags() {
    assertThat(LuceneVectorization.implementation()).startsWith("Panama");
    assertThat(LuceneVectorization.simd()).isTrue();
    LuceneVectorization.requireSimd();
    assertThat(LuceneVectorization.runtime()).containsEntry("lucene_vectorization", LuceneVectorization.implementation())
        .containsEntry("java", Runtime.version().toString()).containsKey("lucene");
  }
}
