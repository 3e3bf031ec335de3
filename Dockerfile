# vmi-network-filter step image: one image for every step (select, inject, verify, rollback,
# sweep, report), the Tekton Task scripts and the generator CLI.
#   docker build -t ghcr.io/vmi-network-filter/vmi-network-filter:0.1.0 .
# BUILD_IMAGE needs Node.js >= 20 with npm; BASE_IMAGE (the runtime) needs Node.js >= 20 on PATH
# and Debian's apt (for iptables & co). `npm run test:image` builds both from a local debootstrap.
ARG BUILD_IMAGE=node:20-bookworm-slim
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# Dependencies first: this layer is reused until package*.json change.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY core/ core/
COPY scenario/ scenario/
COPY kube/ kube/
COPY generator/ generator/
COPY submit/ submit/
COPY steps/ steps/
COPY cli/ cli/
COPY scripts/build-schema.mjs scripts/
COPY schemas/ schemas/
# Build, then keep only production dependencies, without what Node never loads at run time
# (type declarations, TypeScript sources, source maps, docs): about half of node_modules.
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' -o -name '*.md' \) -delete

FROM ${BASE_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="vmi-network-filter" \
      org.opencontainers.image.description="Cuts selected network traffic of KubeVirt VMIs for a while, then restores it (Argo Workflows / Tekton steps)" \
      org.opencontainers.image.source="https://github.com/vmi-network-filter/vmi-network-filter" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0"
# iptables and nftables rewrite the launcher's rules, iproute2 reads its interfaces, util-linux
# brings nsenter to enter its network namespace.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iptables nftables iproute2 util-linux \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
WORKDIR /opt/vmi-network-filter
COPY --from=build /src/node_modules/ node_modules/
COPY --from=build /src/dist/ dist/
COPY package.json ./
COPY bin/ bin/
COPY templates/ templates/
COPY schemas/ schemas/
COPY workflows/scenarios/ workflows/scenarios/
# The entrypoint, on PATH for the workflows' `command` and the Tekton Task scripts; and a name
# for the unprivileged user, for tools that look the uid up.
RUN ln -s /opt/vmi-network-filter/bin/vmi-network-filter.js /usr/local/bin/vmi-network-filter \
 && echo 'nonroot:x:65532:65532:vmi-network-filter:/nonexistent:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'nonroot:x:65532:' >> /etc/group
# Unprivileged by default (select, report, the generator); node steps run as root with
# NET_ADMIN, SYS_ADMIN and SYS_PTRACE through their pod spec.
USER 65532:65532
ENTRYPOINT ["vmi-network-filter"]
CMD ["--help"]
