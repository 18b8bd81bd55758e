package dev.tokenauthority.example;

import dev.tokenauthority.client.Principal;
import dev.tokenauthority.client.TokenAuthInterceptor;
import dev.tokenauthority.example.v1.GetLensRequest;
import dev.tokenauthority.example.v1.Lens;
import dev.tokenauthority.example.v1.LensServiceGrpc;
import dev.tokenauthority.example.v1.UpdateLensRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The product logic: it never sees a token, only the {@link Principal} the interceptor vouched for. */
final class LensService extends LensServiceGrpc.LensServiceImplBase {
  private final ConcurrentMap<String, String> titles = new ConcurrentHashMap<>();

  LensService() {
    titles.put("revenue", "Revenue by region");
  }

  @Override
  public void getLens(GetLensRequest request, StreamObserver<Lens> out) {
    String title = titles.get(request.getName());
    if (title == null) {
      out.onError(Status.NOT_FOUND.withDescription("no lens " + request.getName()).asRuntimeException());
      return;
    }
    out.onNext(lens(request.getName(), title));
    out.onCompleted();
  }

  @Override
  public void updateLens(UpdateLensRequest request, StreamObserver<Lens> out) {
    titles.put(request.getName(), request.getTitle());
    out.onNext(lens(request.getName(), request.getTitle()));
    out.onCompleted();
  }

  private static Lens lens(String name, String title) {
    Principal caller = TokenAuthInterceptor.PRINCIPAL.get();
    String who = caller.subject().isEmpty() ? caller.tokenId() : caller.subject();
    return Lens.newBuilder().setName(name).setTitle(title).setServedFor(who).build();
  }
}
