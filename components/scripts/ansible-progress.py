# Digest of a kolla-ansible run for the operator: Pulumi streams a command's output and also keeps all of it in the
# stack's state, where a full deploy log (megabytes, task arguments included) does not belong. The full log stays
# on the deploy host; this passes on our own "== " lines, each play (progress), each failure with the task it
# belongs to, retries and the recap, every line cut to a bounded length, and every kolla password redacted.
# argv[1]: kolla's passwords.yml (may not exist yet). Runs under the kolla-ansible venv's python (PyYAML present).
import re
import sys

import yaml

MAX_LINE = 2000
REDACTED = "********"
SHOWN = re.compile(
    r"^(== |PLAY \[|PLAY RECAP|RUNNING HANDLER \[|fatal: |failed: |FAILED - RETRYING|ERROR|\[ERROR\]|"
    r"\.\.\.ignoring|Traceback |[^\s:]+\s+: ok=\d+)"
)
TASK = re.compile(r"^TASK \[")
BANNER = re.compile(r" \*{3,}$")


def secrets_of(path):
    found = set()

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, str) and len(value) >= 6:
            found.add(value)
            # A key printed inside JSON has its newlines escaped: redact line by line too.
            found.update(line for line in value.splitlines() if len(line) >= 16)

    try:
        with open(path, encoding="utf-8") as f:
            walk(yaml.safe_load(f))
    except (OSError, yaml.YAMLError):
        pass
    return sorted(found, key=len, reverse=True)


def main():
    # Whatever bytes ansible prints, the digest keeps going (a crash here must not stop the stage).
    sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    secrets = secrets_of(sys.argv[1]) if len(sys.argv) > 1 else []

    def emit(line):
        for s in secrets:
            line = line.replace(s, REDACTED)
        if len(line) > MAX_LINE:
            line = line[:MAX_LINE] + " …(cut; full line in the log on the deploy host)"
        sys.stdout.write(BANNER.sub("", line.rstrip("\n")) + "\n")
        sys.stdout.flush()

    task = None
    for line in sys.stdin:
        if TASK.match(line):
            task = line
        elif SHOWN.match(line):
            if task is not None and line.startswith(("fatal: ", "failed: ")):
                emit(task)
                task = None
            emit(line)


if __name__ == "__main__":
    main()
