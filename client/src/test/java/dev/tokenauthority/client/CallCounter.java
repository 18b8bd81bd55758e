package dev.tokenauthority.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts the calls of one method that leave a channel. */
final class CallCounter implements ClientInterceptor {
  private final String fullMethodName;
  private final AtomicInteger calls = new AtomicInteger();

  CallCounter(MethodDescriptor<?, ?> method) {
    this.fullMethodName = method.getFullMethodName();
  }

  int calls() {
    return calls.get();
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    if (method.getFullMethodName().equals(fullMethodName)) {
      calls.incrementAndGet();
    }
    return next.newCall(method, options);
  }
}
