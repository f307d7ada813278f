# run_kolla LIMIT ACTION [ARGS...]: kolla-ansible ACTION with the stage's inventory, stopped after LIMIT (timeout(1)
# without --foreground signals the whole process group, so ansible's workers stop too), in the argument order of the
# release's CLI (KOLLA_CLI, from config/releases): the bash CLI of 2023.1 and 2024.1 (tools/kolla-ansible: getopt
# permutes, so options may follow the action) or the cliff app of 2025.1 on (kolla_ansible/cli/commands.py: the action
# comes first; the top-level parser knows no -i: `kolla-ansible -i INV deploy` fails "... is not a kolla-ansible command").
run_kolla() {
    local limit=$1 action=$2
    shift 2
    local -a argv
    case $KOLLA_CLI in
        bash) argv=(kolla-ansible -i "$INVENTORY" "$action" "$@") ;;
        cliff) argv=(kolla-ansible "$action" -i "$INVENTORY" "$@") ;;
        *) echo "run_kolla: unknown KOLLA_CLI '$KOLLA_CLI'" >&2; return 2 ;;
    esac
    timeout --kill-after=5m "$limit" "${argv[@]}"
}
