package dev.tokenauthority.server.api;

import com.google.protobuf.Empty;
import com.google.protobuf.FieldMask;
import dev.tokenauthority.api.v1.Connector;
import dev.tokenauthority.api.v1.ConnectorServiceGrpc;
import dev.tokenauthority.api.v1.CreateConnectorRequest;
import dev.tokenauthority.api.v1.DeleteConnectorRequest;
import dev.tokenauthority.api.v1.GetConnectorRequest;
import dev.tokenauthority.api.v1.ListConnectorsRequest;
import dev.tokenauthority.api.v1.ListConnectorsResponse;
import dev.tokenauthority.api.v1.RotateConnectorRequest;
import dev.tokenauthority.api.v1.TestConnectorRequest;
import dev.tokenauthority.api.v1.TestConnectorResponse;
import dev.tokenauthority.api.v1.UpdateConnectorRequest;
import dev.tokenauthority.server.connector.ConnectorManager;
import dev.tokenauthority.server.connector.ConnectorTest;
import dev.tokenauthority.server.connector.ConnectorView;
import dev.tokenauthority.server.error.InvalidArgumentException;
import dev.tokenauthority.server.paging.Page;
import io.grpc.stub.StreamObserver;
import java.util.List;

/** {@code tokenauthority.v1.ConnectorService}: proto in, domain call, proto out. */
public final class ConnectorGrpcService extends ConnectorServiceGrpc.ConnectorServiceImplBase {
  private final ConnectorManager connectors;

  public ConnectorGrpcService(ConnectorManager connectors) {
    this.connectors = connectors;
  }

  @Override
  public void createConnector(CreateConnectorRequest req, StreamObserver<Connector> out) {
    Responses.unary(out, () -> {
      if (!req.hasConnector()) {
        throw InvalidArgumentException.of("connector", "FIELD_REQUIRED", "connector is required");
      }
      Connector c = req.getConnector();
      return toProto(connectors.create(CallerContext.current(), c.getOrganization(), c.getSlug(),
          c.getName(), c.getScopesList(), TokenMessages.duration(req.hasTtl(), req.getTtl(), "ttl")));
    });
  }

  @Override
  public void getConnector(GetConnectorRequest req, StreamObserver<Connector> out) {
    Responses.unary(out, () -> toProto(
        connectors.get(CallerContext.current(), req.getOrganization(), req.getSlug())));
  }

  @Override
  public void listConnectors(ListConnectorsRequest req, StreamObserver<ListConnectorsResponse> out) {
    Responses.unary(out, () -> {
      Page<ConnectorView> page = connectors.list(
          CallerContext.current(), req.getOrganization(), req.getPageSize(), req.getPageToken());
      ListConnectorsResponse.Builder b =
          ListConnectorsResponse.newBuilder().setNextPageToken(page.nextPageToken());
      page.items().forEach(c -> b.addConnectors(toProto(c)));
      return b.build();
    });
  }

  @Override
  public void updateConnector(UpdateConnectorRequest req, StreamObserver<Connector> out) {
    Responses.unary(out, () -> {
      if (!req.hasConnector()) {
        throw InvalidArgumentException.of("connector", "FIELD_REQUIRED", "connector is required");
      }
      Connector c = req.getConnector();
      List<String> paths = req.hasUpdateMask() ? req.getUpdateMask().getPathsList() : setFields(c);
      for (String path : paths) {
        if (!path.equals("name") && !path.equals("scopes")) {
          throw InvalidArgumentException.of("update_mask", "FIELD_INVALID",
              "update_mask may name only \"name\" and \"scopes\", not \"" + path + "\"");
        }
      }
      if (paths.isEmpty()) {
        throw InvalidArgumentException.of("update_mask", "FIELD_REQUIRED",
            "nothing to change: set name or scopes (or list them in update_mask)");
      }
      return toProto(connectors.update(CallerContext.current(), c.getOrganization(), c.getSlug(),
          paths.contains("name") ? c.getName() : null,
          paths.contains("scopes") ? c.getScopesList() : null));
    });
  }

  @Override
  public void rotateConnector(RotateConnectorRequest req, StreamObserver<Connector> out) {
    Responses.unary(out, () -> toProto(connectors.rotate(CallerContext.current(),
        req.getOrganization(), req.getSlug(),
        TokenMessages.duration(req.hasGracePeriod(), req.getGracePeriod(), "grace_period"),
        TokenMessages.duration(req.hasTtl(), req.getTtl(), "ttl"))));
  }

  @Override
  public void deleteConnector(DeleteConnectorRequest req, StreamObserver<Empty> out) {
    Responses.unary(out, () -> {
      connectors.delete(CallerContext.current(), req.getOrganization(), req.getSlug(), req.getReason());
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void testConnector(TestConnectorRequest req, StreamObserver<TestConnectorResponse> out) {
    Responses.unary(out, () -> {
      ConnectorTest t = connectors.test(
          CallerContext.current(), req.getOrganization(), req.getSlug(), req.getSecret());
      return TestConnectorResponse.newBuilder().setLive(t.live()).setCurrent(t.current())
          .setTokenId(t.tokenId()).addAllScopes(t.scopes().asList()).build();
    });
  }

  /** AIP-134: without a mask, every field the request sets. */
  private static List<String> setFields(Connector c) {
    FieldMask.Builder mask = FieldMask.newBuilder();
    if (!c.getName().isEmpty()) {
      mask.addPaths("name");
    }
    if (c.getScopesCount() > 0) {
      mask.addPaths("scopes");
    }
    return mask.getPathsList();
  }

  private static Connector toProto(ConnectorView v) {
    Connector.Builder b = Connector.newBuilder()
        .setId(v.connector().id())
        .setOrganization(v.connector().organization())
        .setSlug(v.connector().slug())
        .setName(v.connector().name())
        .addAllScopes(v.connector().scopes().asList())
        .setCreateTime(TokenMessages.timestamp(v.connector().createTime()))
        .setUpdateTime(TokenMessages.timestamp(v.connector().updateTime()))
        .setCreator(v.connector().creator())
        .setTokenId(v.connector().tokenId());
    if (v.token() != null) {
      b.setSecretHint(v.token().secretHint());
      if (v.token().lastUseTime() != null) {
        b.setLastUseTime(TokenMessages.timestamp(v.token().lastUseTime()));
      }
      if (v.token().expireTime() != null) {
        b.setTokenExpireTime(TokenMessages.timestamp(v.token().expireTime()));
      }
    }
    if (v.secret() != null) {
      b.setSecret(v.secret().reveal());
    }
    return b.build();
  }
}
