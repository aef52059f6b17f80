#!/usr/bin/env bash
# Checks the container build file, the compose file and the Kubernetes manifests under deploy/
# without a container engine or a cluster; builds nothing.
#
#   FERRY_BIN=$(swift build --show-bin-path) scripts/check-containers.sh   # FERRY_BIN defaults to .build/debug
#
# 1. deploy/container/Containerfile: every COPY/ADD source (but --from=<stage>) exists in the
#    repository, and /.dockerignore, an allowlist, lets it into the build context.
# 2. deploy/compose/compose.yaml validates against the Compose Specification's JSON schema (the
#    copy check-jsonschema ships: --builtin-schema vendor.compose-spec).
# 3. deploy/kubernetes/*.yaml validate with kubernetes-validate --strict against every
#    Kubernetes minor from 1.$K8S_FIRST to 1.$K8S_LAST; a kind it has no schema for fails (the
#    tool itself only warns). kustomization.yaml lists every manifest but *.example.yaml.
# 4. What compose.yaml and the manifests hand the binaries: the JSON file each --config names
#    (a bind-mounted file or a ConfigMap key), other flags and FERRY_* variables use only keys
#    the program's --help documents; FERRYCTL_* variables and the flags of every ferryctl
#    command (the image's HEALTHCHECK, the probes) are ones `ferryctl health --help` lists;
#    compose bind-mount sources and build files exist.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

K8S_FIRST=33 K8S_LAST=37   # 1.33 is the first whose StatefulSet schema does not require serviceName

fail() { echo "check-containers: FAIL: $*" >&2; exit 1; }
step() { echo "==> $*"; }

BIN=${FERRY_BIN:-.build/debug}
[[ -d "$BIN" ]] || fail "FERRY_BIN directory '$BIN' not found (build first, e.g. swift build)"
for b in ferryd ferry-worker ferryctl; do
    [[ -x "$BIN/$b" ]] || fail "$BIN/$b not found or not executable (build first, or set FERRY_BIN)"
done
# ferryd, ferry-worker and ferryctl refuse FERRY_*/FERRYCTL_* variables they do not read, and this
# script's own (FERRY_BIN) are not theirs: unset them all once read.
while read -r var; do unset "$var"; done < <(compgen -e | grep -E '^FERRY(CTL)?_' || true)
for tool in python3 kubernetes-validate check-jsonschema; do
    command -v "$tool" >/dev/null || fail "$tool not found: run scripts/install-deps.sh"
done

T=$(mktemp -d "${TMPDIR:-/tmp}/ferry-check-containers.XXXXXX")
trap 'rm -rf -- "$T"' EXIT

step "Containerfile: copied paths exist and .dockerignore lets them in"
python3 - deploy/container/Containerfile .dockerignore <<'PY' || fail "see above"
import os, re, sys
containerfile, ignorefile = sys.argv[1:]
text = re.sub(r"\\\n", " ", open(containerfile).read())   # join continued lines
rules = [l.strip() for l in open(ignorefile) if l.strip() and not l.lstrip().startswith("#")]
if rules[:1] != ["*"] or not all(r.startswith("!") for r in rules[1:]):
    sys.exit(f"{ignorefile}: expected an allowlist: '*', then '!path' lines")
allowed = [r[1:].strip("/") for r in rules[1:]]
sources = []
for line in text.splitlines():
    words = line.split()
    if not words or words[0].upper() not in ("COPY", "ADD"):
        continue
    if any(w.startswith("--from") for w in words[1:]):
        continue                                           # from another stage
    if words[1].startswith("["):
        sys.exit(f"{containerfile}: use the plain form of {words[0]}: {line.strip()}")
    sources += [w for w in words[1:] if not w.startswith("--")][:-1]
if not sources:
    sys.exit(f"{containerfile}: no COPY or ADD found")
for source in sources:
    path = os.path.normpath(source)
    if not os.path.exists(path):
        sys.exit(f"{containerfile}: copies {source}, which does not exist")
    if not any(path == a or path.startswith(a + "/") for a in allowed):
        sys.exit(f"{containerfile}: copies {source}, which {ignorefile} leaves out of the context")
print(f"{containerfile}: {', '.join(sources)} exist and are in the build context")
PY

step "compose.yaml against the Compose Specification (check-jsonschema $(check-jsonschema --version | awk '{print $NF}'))"
check-jsonschema --builtin-schema vendor.compose-spec deploy/compose/compose.yaml \
    || fail "deploy/compose/compose.yaml does not match the Compose Specification"

versions=()
for minor in $(seq "$K8S_FIRST" "$K8S_LAST"); do versions+=(-k "1.$minor.0"); done
manifests=()
for f in deploy/kubernetes/*.yaml; do
    [[ $f == */kustomization.yaml ]] || manifests+=("$f")
done
step "Kubernetes manifests, kubernetes-validate $(kubernetes-validate --version) --strict, Kubernetes 1.$K8S_FIRST to 1.$K8S_LAST"
rc=0
out=$(kubernetes-validate --strict --quiet "${versions[@]}" "${manifests[@]}" 2>&1) || rc=$?
# --quiet prints only problems; a WARN (no schema for a kind) leaves the status 0.
if [[ $rc -ne 0 || -n "$out" ]]; then
    echo "$out" >&2; fail "kubernetes-validate reported problems (status $rc)"
fi
echo "${manifests[*]}: valid"
python3 - deploy/kubernetes <<'PY' || fail "see above"
import glob, os, sys, yaml
root = sys.argv[1]
listed = set(yaml.safe_load(open(f"{root}/kustomization.yaml"))["resources"])
present = {os.path.basename(f) for f in glob.glob(f"{root}/*.yaml")} - {"kustomization.yaml"}
present = {f for f in present if not f.endswith(".example.yaml")}
if listed != present:
    sys.exit(f"{root}/kustomization.yaml: resources {sorted(listed)}, but the manifests are {sorted(present)}")
print(f"{root}/kustomization.yaml lists all {len(listed)} manifests")
PY

step "Settings that compose.yaml and the manifests hand ferryd, ferry-worker and ferryctl"
for b in ferryd ferry-worker; do
    "$BIN/$b" --help >"$T/$b.help" || fail "$b --help failed"
done
"$BIN/ferryctl" health --help >"$T/ferryctl.help" || fail "ferryctl health --help failed"
python3 - "$T" deploy/container/Containerfile deploy/compose/compose.yaml deploy/kubernetes <<'PY' || fail "see above"
import glob, json, os, re, shlex, sys, yaml
helps, containerfile, compose_file, k8s_root = sys.argv[1:]
compose_dir = os.path.dirname(compose_file)

def documented(program):
    text = open(f"{helps}/{program}.help").read()
    return {m.group(1) for m in re.finditer(r"^  (\S+)\s", text, re.M)}

def env_name(key):       # tls.clientAuth -> FERRY_TLS_CLIENT_AUTH (LayeredConfiguration)
    return "FERRY_" + re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).replace(".", "_").upper()

def flag_name(key):      # tls.clientAuth -> --tls-client-auth
    return "--" + re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), key).replace(".", "-")

KEYS = {p: documented(p) for p in ("ferryd", "ferry-worker")}
ctl_help = open(f"{helps}/ferryctl.help").read()
CTL_ENV = set(re.findall(r"\[env:\s+(FERRYCTL_\w+)\]", ctl_help))
CTL_FLAGS = set(re.findall(r"^  (--[a-z-]+)", ctl_help, re.M))
checked = []

def check_json(where, program, text):
    """A settings file: JSON, keys documented (config and the env-only password are not)."""
    try:
        conf = json.loads(text)
    except ValueError as e:
        sys.exit(f"{where}: not valid JSON: {e}")
    def leaves(obj, prefix=""):
        for k, v in obj.items():
            yield from leaves(v, prefix + k + ".") if isinstance(v, dict) else [prefix + k]
    unknown = sorted(set(leaves(conf)) - (KEYS[program] - {"config", "database.password"}))
    if unknown:
        sys.exit(f"{where}: keys `{program} --help` does not document: {', '.join(unknown)}")
    checked.append(f"{where} ({program})")

def check_env(where, program, names):
    allowed = {env_name(k) for k in KEYS.get(program, ())} | CTL_ENV
    ours = sorted(n for n in names if n.startswith("FERRY"))
    bad = [n for n in ours if n not in allowed]
    if bad:
        sys.exit(f"{where}: variables {program} does not read: {', '.join(bad)}")
    if ours:
        checked.append(f"{where}: {', '.join(ours)}")

def check_ctl(where, command):
    """Every ferryctl in a command (list, or a shell string) uses flags ferryctl health lists."""
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"]:
        words = shlex.split(words[2])
    for i, w in enumerate(words):
        if os.path.basename(w) == "ferryctl":
            if words[i + 1:i + 2] != ["health"]:
                sys.exit(f"{where}: expected `ferryctl health`: {' '.join(words)}")
            for flag in words[i + 2:]:
                if flag == "|":
                    break
                if flag.startswith("--") and flag.split("=")[0] not in CTL_FLAGS:
                    sys.exit(f"{where}: ferryctl health has no flag {flag}")
            checked.append(f"{where} (ferryctl health)")

def check_argv(where, argv, find_config):
    """A ferry container's command: flags documented; the file its --config names (found by
    find_config(path) -> (description, text)) checked."""
    program = os.path.basename(argv[0]) if argv else ""
    if program == "ferryctl":
        return
    if program not in KEYS:
        sys.exit(f"{where}: runs the ferry image but names no program: {argv}")
    flags = {flag_name(k) for k in KEYS[program]}
    args = argv[2:] if argv[1:2] == ["migrate"] else argv[1:]
    args = [part for a in args for part in (a.split("=", 1) if a.startswith("--") else [a])]
    for i, arg in enumerate(args):
        if arg.startswith("--") and arg.split("=")[0] not in flags:
            sys.exit(f"{where}: {program} has no flag {arg}")
        if arg == "--config":
            source, text = find_config(args[i + 1])
            check_json(f"{where}: --config {args[i + 1]} = {source}", program, text)

# The image's health check.
healthcheck = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])$", re.sub(r"\\\n", " ", open(containerfile).read()), re.M)
if not healthcheck:
    sys.exit(f"{containerfile}: no HEALTHCHECK ... CMD [...]")
check_ctl(f"{containerfile} HEALTHCHECK", json.loads(healthcheck.group(1)))

# Compose: build files and bind-mounted sources exist; the services running the image built
# from the Containerfile are checked like containers.
compose = yaml.safe_load(open(compose_file))
ferry_images = set()
for name, service in compose["services"].items():
    build = service.get("build", {})
    if "dockerfile" in build:
        dockerfile = os.path.normpath(os.path.join(compose_dir, build["context"], build["dockerfile"]))
        if not os.path.isfile(dockerfile):
            sys.exit(f"{compose_file}: service {name} builds {dockerfile}, not found")
        if dockerfile == containerfile:
            ferry_images.add(service.get("image"))
if len(ferry_images) != 1:
    sys.exit(f"{compose_file}: expected one image built from {containerfile}, found {sorted(ferry_images)}")
for name, service in compose["services"].items():
    where = f"{compose_file} service {name}"
    binds = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        elif volume.get("type") == "bind":
            source, target = volume["source"], volume["target"]
        else:
            continue
        if source.startswith((".", "/")):
            binds[target] = os.path.normpath(os.path.join(compose_dir, source))
            if not os.path.exists(binds[target]):
                sys.exit(f"{where}: mounts {binds[target]}, not found")
    if service.get("image") not in ferry_images:
        continue
    argv = list(service.get("entrypoint", [])) + list(service.get("command", []))
    def mounted(path):
        if path not in binds:
            sys.exit(f"{where}: --config {path} is not a bind-mounted file")
        return binds[path], open(binds[path]).read()
    check_argv(where, argv, mounted)
    environment = service.get("environment", {})
    names = environment if isinstance(environment, dict) else [e.split("=")[0] for e in environment]
    check_env(where, os.path.basename(argv[0]), names)

# Kubernetes: every container running the image "ferry" (kustomization.yaml's images: renames it).
docs = [d for f in sorted(glob.glob(f"{k8s_root}/*.yaml")) for d in yaml.safe_load_all(open(f)) if d]
config_maps = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
for doc in docs:
    pod = doc.get("spec", {}).get("template", {}).get("spec")
    if not pod:
        continue
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for container in pod["containers"]:
        if container["image"].split(":")[0] != "ferry":
            continue
        where = f"{k8s_root} {doc['kind']}/{doc['metadata']['name']} container {container['name']}"
        argv = container.get("command", []) + container.get("args", [])
        def from_config_map(path):
            for mount in container.get("volumeMounts", []):
                key = os.path.relpath(path, mount["mountPath"])
                config_map = volumes[mount["name"]].get("configMap")
                if config_map and not key.startswith(".."):
                    data = config_maps.get(config_map["name"], {})
                    if key in data:
                        return f"ConfigMap {config_map['name']} {key}", data[key]
            sys.exit(f"{where}: --config {path} is no key of a mounted ConfigMap")
        check_argv(where, argv, from_config_map)
        check_env(where, os.path.basename(argv[0]), [e["name"] for e in container.get("env", [])])
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            command = container.get(probe, {}).get("exec", {}).get("command")
            if command:
                check_ctl(f"{where} {probe}", command)

for line in checked:
    print(f"{line}: ok")
PY

echo "check-containers: OK"
