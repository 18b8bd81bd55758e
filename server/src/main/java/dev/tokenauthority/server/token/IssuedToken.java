package dev.tokenauthority.server.token;

/** A token just issued, with the secret its caller sees this once. */
public record IssuedToken(TokenRecord token, Secret secret) {}
