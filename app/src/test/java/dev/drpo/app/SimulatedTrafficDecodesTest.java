package dev.drpo.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.operators.event.DecoderConfig;
import dev.drpo.operators.event.InteractionDecoder;
import dev.drpo.operators.event.InteractionEvent;
import dev.drpo.operators.quality.QualityConfig.Aggregate;
import dev.drpo.operators.quality.QualityConfig.Granularity;
import dev.drpo.operators.quality.QualityConfig;
import dev.drpo.operators.session.SessionConfig;
import dev.drpo.operators.session.UserSessionsOperator;
import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.UserPopulation.Request;
import dev.drpo.simulator.UserPopulation;
import dev.drpo.simulator.World;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The simulator speaks the job's schema: its good events decode, its malformed ones are dead-lettered,
 * and what an answer said of its item (version, propensity, exploration) reaches the training sample.
 */
class SimulatedTrafficDecodesTest {

  @Test
  void everySimulatedEventIsDecodedOrDeadLetteredAsIntended() throws Exception {
    World world = new World(SimulatorConfig.defaults().withDimension(16).withSize(300, 200, 50, 100), 1);
    UserPopulation population = new UserPopulation(world, UserPopulation.Config.defaults().withMalformedShare(0.2), 1_700_000_000_000L, 5);
    var harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new InteractionDecoder(DecoderConfig.defaults("sim", world.config().stateDim()))));
    harness.open();

    List<Request> requests = population.requestsUntil(1_700_000_000_000L + 3_600_000L, 1);
    for (Request r : requests) {
      harness.processElement(new StreamRecord<>(population.respond(r, world.catalog().id(r.user() % 300), 3, Double.NaN, false).json()));
    }

    List<InteractionEvent> decoded = harness.extractOutputValues();
    int dead = harness.getSideOutput(InteractionDecoder.DEAD_LETTERS) == null ? 0 : harness.getSideOutput(InteractionDecoder.DEAD_LETTERS).size();
    assertThat(decoded.size() + dead).isEqualTo(requests.size());
    assertThat(dead / (double) requests.size()).isBetween(0.1, 0.3);
    assertThat(decoded).allSatisfy(e -> {
      assertThat(e.policyVersion).isEqualTo(3);
      assertThat(e.reward).isBetween(0.0, 1.0);
      assertThat(e.userFeatures).hasSize(16);
    });
    harness.close();
  }

  @Test
  void shouldCarryWhatTheAnswerSaidFromTheUsersInteractionIntoItsTrainingSample() throws Exception {
    World world = new World(SimulatorConfig.defaults().withDimension(16).withSize(300, 200, 50, 100), 1);
    UserPopulation population = new UserPopulation(world, UserPopulation.Config.defaults().withMalformedShare(0), 1_700_000_000_000L, 5);
    var decoder = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new InteractionDecoder(DecoderConfig.defaults("sim", world.config().stateDim()))));
    decoder.open();
    Request explored = population.requestsUntil(1_700_000_000_000L + 3_600_000L, 1).get(0);
    decoder.processElement(new StreamRecord<>(population.respond(explored, world.catalog().id(7), 4, 0.25, true).json()));
    InteractionEvent event = decoder.extractOutputValues().get(0);
    decoder.close();

    var sessions = new KeyedOneInputStreamOperatorTestHarness<>(new UserSessionsOperator(
        new SessionConfig(1_800_000, 0, 500), new QualityConfig(Aggregate.MEAN, 0.9, Granularity.INTERACTION, 60_000, 20, 2)),
        (InteractionEvent e) -> e.userId, Types.STRING);
    sessions.open();
    sessions.processElement(new StreamRecord<>(event, event.ts));
    assertThat(sessions.extractOutputValues()).singleElement().satisfies(sample -> {
      assertThat(sample.itemId).isEqualTo(world.catalog().id(7));
      assertThat(sample.policyVersion).isEqualTo(4);
      assertThat(sample.propensity).isEqualTo(0.25);
      assertThat(sample.explored).isTrue();
    });
    sessions.close();
  }
}
