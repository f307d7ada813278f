# Digest of a kolla-ansible run for the operator: Pulumi streams a command's output and also keeps all of it in the
# stack's state, where a full deploy log (megabytes, task arguments included) does not belong. The full log stays
# on the deploy host; this passes on our own "== " lines, each play (progress), each failure with the task it
# belongs to, retries and the recap, every line cut to a bounded length, and every kolla password redacted.
# argv[1]: kolla's passwords.yml (may not exist yet). Runs under the kolla-ansible venv's python (PyYAML present).
import base64
import json
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


def forms(value):
    """Every form a secret takes in ansible's output: as is, JSON-escaped (task results are JSON), base64-encoded
    (kolla hands some keys over so), and line by line (a multi-line key printed inside JSON has escaped newlines)."""
    text = str(value)
    found = {text, json.dumps(text)[1:-1], base64.b64encode(text.encode()).decode()}
    found.update(line for line in text.splitlines() if len(line) >= 16)
    return {f for f in found if f}


def secrets_of(path):
    """(long forms, pattern for short ones): a short value (< 8 characters) is redacted only as a whole token."""
    found = set()

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value):
            # YAML reads an all-digit password as a number: it is still a password.
            found.update(forms(value))

    try:
        with open(path, encoding="utf-8") as f:
            walk(yaml.safe_load(f))
    except (OSError, yaml.YAMLError):
        pass
    long_forms = sorted((s for s in found if len(s) >= 8), key=len, reverse=True)
    short = sorted((s for s in found if len(s) < 8), key=len, reverse=True)
    pattern = re.compile(r"(?<![A-Za-z0-9])(?:%s)(?![A-Za-z0-9])" % "|".join(map(re.escape, short))) if short else None
    return long_forms, pattern


def main():
    # Whatever bytes ansible prints, the digest keeps going (a crash here must not stop the stage).
    sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    secrets, short = secrets_of(sys.argv[1]) if len(sys.argv) > 1 else ([], None)

    def emit(line):
        for s in secrets:
            line = line.replace(s, REDACTED)
        if short is not None:
            line = short.sub(REDACTED, line)
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
