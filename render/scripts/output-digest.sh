# Sends everything this script prints from here on to <log> in full (0600: ansible's task arguments can carry
# passwords) and to the operator as a digest (ansible-progress.py): Pulumi keeps a command's stdout in the stack's
# state, where megabytes of ansible output with kolla's passwords in it do not belong.
digest_output_to() {
    local log=$1
    install -d -m 0700 "$LOG_DIR"
    touch "$log"
    chmod 0600 "$log"
    # fd 8: the untouched stdout, for what must reach Pulumi verbatim (not redacted, not filtered).
    exec 8>&1
    # -p: should the digest die, tee keeps writing the log instead of killing this script with SIGPIPE.
    exec > >(tee -p -a "$log" | "$VENV/bin/python3" -u "$PROGRESS_FILTER" "$PASSWORDS") 2>&1
    DIGEST_PID=$!
    # Let the digest print its last lines before the command's session ends.
    trap 'exec >&- 2>&-; wait "$DIGEST_PID" || true' EXIT
}
