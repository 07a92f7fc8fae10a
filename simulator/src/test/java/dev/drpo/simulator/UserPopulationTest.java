package dev.drpo.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.drpo.simulator.UserPopulation.Request;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UserPopulationTest {
  static final long BEGINNING = 1_700_000_000_000L;
  static final long SIX_HOURS_LATER = BEGINNING + 6 * 3_600_000L;
  static World world;

  @BeforeAll
  static void world() {
    world = new World(SimulatorConfig.defaults().withDimension(16).withSize(300, 200, 50, 100), 1);
  }

  @Test
  void usersComeInSessionsOfRequestsAFewSecondsApartAndInEventTimeOrder() {
    UserPopulation population = new UserPopulation(world, UserPopulation.Config.defaults(), BEGINNING, 2);
    List<Request> requests = population.requestsUntil(SIX_HOURS_LATER, 10);

    assertThat(requests).isSortedAccordingTo((a, b) -> Long.compare(a.ts(), b.ts()));
    assertThat(requests).allSatisfy(r -> assertThat(r.user()).isLessThan(world.trainingUsers()));
    Map<Integer, List<Long>> perUser = requests.stream()
        .collect(Collectors.groupingBy(Request::user, Collectors.mapping(Request::ts, Collectors.toList())));
    List<Long> times = perUser.values().stream().filter(t -> t.size() >= 10).findFirst().orElseThrow();
    long shortGaps = 0;
    for (int i = 1; i < times.size(); i++) {
      long gap = times.get(i) - times.get(i - 1);
      assertThat(gap).isGreaterThanOrEqualTo(20_000);
      shortGaps += gap == 20_000 ? 1 : 0;
    }
    // 5 requests a session: 4 of every 5 gaps are the 20 s within a session
    assertThat(shortGaps / (double) (times.size() - 1)).isCloseTo(0.8, within(0.1));
  }

  @Test
  void responsesCarryTheLoggedRewardOfTheShownItemAndSomeAreMalformedWhenAsked() {
    UserPopulation population = new UserPopulation(world, UserPopulation.Config.defaults().withMalformedShare(0.2), BEGINNING, 3);
    List<Request> requests = population.requestsUntil(SIX_HOURS_LATER, 1);
    int malformed = 0;
    for (Request r : requests) {
      String json = new String(population.respond(r, world.catalog().id(0), 7, Double.NaN, false).json(), StandardCharsets.UTF_8);
      boolean good = json.matches("\\{\"eventId\":\"ev-\\d+\",\"userId\":\"" + r.userId() + "\",\"itemId\":\"item-0\",\"ts\":"
          + (r.ts() + 1_000) + ",\"reward\":[0-9.E-]+,\"policyVersion\":7,\"requestId\":\"" + r.requestId()
          + "\",\"userFeatures\":\\[[-0-9.E,]+\\]}");
      malformed += good ? 0 : 1;
    }
    assertThat(malformed / (double) requests.size()).isCloseTo(0.2, within(0.05));
    assertThat(population.malformed()).isEqualTo(malformed);
    assertThat(new String(requests.get(0).json(), StandardCharsets.UTF_8)).startsWith("{\"requestId\":\"req-0\",\"userId\":\"user-");
  }

  @Test
  void theExpertsChoicesEarnMoreThanRandomOnes() {
    UserPopulation population = new UserPopulation(world, UserPopulation.Config.defaults(), BEGINNING, 4);
    List<Request> requests = population.requestsUntil(SIX_HOURS_LATER, 1);
    double expert = 0;
    double random = 0;
    for (Request r : requests) {
      expert += reward(population.logged(r, new LoggingMix(1, 0, 0)));
      random += reward(population.logged(r, new LoggingMix(0, 0, 1)));
    }
    assertThat(expert).isGreaterThan(3 * random);
  }

  static double reward(byte[] json) {
    return Double.parseDouble(new String(json, StandardCharsets.UTF_8).replaceAll(".*\"reward\":([0-9.]+).*", "$1"));
  }
}
