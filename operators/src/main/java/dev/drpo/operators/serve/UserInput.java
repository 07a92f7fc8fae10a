package dev.drpo.operators.serve;

import dev.drpo.operators.event.InteractionEvent;
import dev.drpo.operators.event.RecRequest;

/** What the scorer reads per user: an interaction (history) or a request (to answer); exactly one is set. */
public class UserInput {
  public InteractionEvent interaction;
  public RecRequest request;

  public UserInput() {}

  public static UserInput of(InteractionEvent interaction) {
    UserInput in = new UserInput();
    in.interaction = interaction;
    return in;
  }

  public static UserInput of(RecRequest request) {
    UserInput in = new UserInput();
    in.request = request;
    return in;
  }

  public String userId() {
    return interaction != null ? interaction.userId : request.userId;
  }
}
