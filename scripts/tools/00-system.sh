# Binaries from Debian packages (installed by .ci/run).
system_tool docker-registry /usr/bin/docker-registry
system_tool kubectl "$(command -v kubectl || echo /usr/bin/kubectl)"
