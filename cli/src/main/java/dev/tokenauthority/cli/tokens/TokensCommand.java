package dev.tokenauthority.cli.tokens;

import dev.tokenauthority.cli.Group;
import picocli.CommandLine.Command;

/** {@code ta tokens}: issue, list, rotate, revoke and check tokens. */
@Command(name = "tokens", mixinStandardHelpOptions = true,
    description = "Issue, list, show, rotate, revoke and introspect tokens.",
    subcommands = {CreateToken.class, ListTokens.class, ShowToken.class, RotateToken.class,
        RevokeTokens.class, IntrospectToken.class})
public final class TokensCommand extends Group {}
