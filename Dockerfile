# syntax=docker/dockerfile:1
# AuditLedger's container image: a Swift build stage and a slim Debian runtime stage, run as a
# non-root user. No container engine runs where this project is developed: this file is checked
# by scripts/check-deploy (its runtime packages and paths, against the manifests), not built in
# CI. docs/operations.md ("Container and Kubernetes") says what was and was not run.
#
#   docker build -t auditledger:dev .
#   docker run --rm -p 8080:8080 -v auditledger-data:/var/lib/auditledger auditledger:dev
ARG SWIFT_VERSION=6.3
ARG DEBIAN_RELEASE=bookworm

FROM swift:${SWIFT_VERSION}-${DEBIAN_RELEASE} AS build
# GRDB builds against the system's SQLite.
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so that a change to the sources reuses the resolved packages' layer.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product auditledger --static-swift-stdlib \
    && mkdir -p /out \
    && cp "$(swift build -c release --show-bin-path)/auditledger" /out/ \
    && find "$(swift build -c release --show-bin-path)" -maxdepth 1 -name '*.resources' -exec cp -R {} /out/ \;

FROM debian:${DEBIAN_RELEASE}-slim
# libsqlite3-0: the embedded store; ca-certificates: TLS to PostgreSQL, JWKS and the Kubernetes
# API; tzdata: the event times' zones are UTC, but the C library wants its database.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-0 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 auditledger \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/auditledger --shell /usr/sbin/nologin auditledger \
    && mkdir -p /var/lib/auditledger /var/lib/auditledger/spool \
    && chown -R 10001:10001 /var/lib/auditledger
COPY --from=build /out/ /usr/local/bin/
USER 10001:10001
WORKDIR /var/lib/auditledger
# Listen on every interface inside the container; the embedded store and the spool under the volume.
ENV AUDITLEDGER_HOST=0.0.0.0 \
    AUDITLEDGER_PORT=8080 \
    AUDITLEDGER_DATA_DIR=/var/lib/auditledger \
    AUDITLEDGER_SPOOL_DIR=/var/lib/auditledger/spool
VOLUME ["/var/lib/auditledger"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/auditledger"]
CMD ["serve"]
