# vmi-network-filter step image: one image for every step (select, inject, verify, rollback,
# sweep, report) and for the generator CLI.
#   docker build -t ghcr.io/vmi-network-filter/vmi-network-filter:0.1.0 .
# BASE_IMAGE is the runtime base; it needs Node.js >= 20 and Debian's apt (for iptables & co).
ARG BUILD_IMAGE=node:20-bookworm-slim
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scenario/ scenario/
COPY generator/ generator/
COPY steps/ steps/
COPY scripts/build-schema.mjs scripts/
COPY schemas/ schemas/
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM ${BASE_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="vmi-network-filter" \
      org.opencontainers.image.description="Cuts selected network traffic of KubeVirt VMIs for a while, then restores it (Argo Workflows / Tekton steps)" \
      org.opencontainers.image.source="https://github.com/vmi-network-filter/vmi-network-filter" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
# iptables and nftables rewrite the launcher's rules, iproute2 reads its interfaces, util-linux
# brings nsenter to enter its network namespace.
RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables nftables iproute2 util-linux \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/vmi-network-filter
COPY --from=build /src/node_modules/ node_modules/
COPY --from=build /src/dist/ dist/
COPY package.json ./
COPY bin/ bin/
COPY templates/ templates/
COPY schemas/ schemas/
COPY workflows/scenarios/ workflows/scenarios/
RUN ln -s /opt/vmi-network-filter/bin/vmi-network-filter.js /usr/local/bin/vmi-network-filter
# Unprivileged by default (select, report, the generator); node steps run as root with
# NET_ADMIN, SYS_ADMIN and SYS_PTRACE through their pod spec.
USER 65532:65532
ENTRYPOINT ["vmi-network-filter"]
CMD ["--help"]
