package dev.tokenauthority.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that only groups others ({@code ta tokens}): run alone, it says what is missing. */
public abstract class Group implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "choose a subcommand: "
        + String.join(", ", spec.subcommands().keySet().stream().filter(n -> !spec.subcommands().get(n)
            .getCommandSpec().usageMessage().hidden()).toList()));
  }
}
