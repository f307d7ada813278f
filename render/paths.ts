// Where things live on the deploy host. One table, so renderers, scripts and components agree.
export const STATE_DIR = "/opt/openstack-aio";
export const LOG_DIR = "/var/log/openstack-aio";
/** The digest filter of kolla-ansible's output (ansible-progress.py), installed by deploy-config. */
export const PROGRESS_FILTER_FILE = `${STATE_DIR}/ansible-progress.py`;
/** The targets' SSH host keys, which Ansible on the deploy host checks (ansible.cfg). */
export const KNOWN_HOSTS_FILE = `${STATE_DIR}/known_hosts`;
/** Held around every kolla-ansible run and every write under /etc/kolla (deploy-lock.sh). */
export const LOCK_FILE = `${STATE_DIR}/deploy.lock`;
/** How long a second run waits for the lock before failing with the holder's pid, stage and log. */
export const LOCK_WAIT_SECONDS = 600;
/** The variables deploy-lock.sh needs. */
export const LOCK_VARS = Object.freeze({ LOCK_FILE, LOCK_WAIT: LOCK_WAIT_SECONDS });

/** The registry's TLS (registry-tls.sh): the CA this program owns, and the registry's certificate and key. */
export const REGISTRY_TLS_DIR = `${STATE_DIR}/registry-tls`;
export const REGISTRY_CA_DIR = `${REGISTRY_TLS_DIR}/ca`;
/** The CA the targets trust for the registry (public): bootstrap-servers copies it (docker_registry_ca). */
export const REGISTRY_CA_FILE = `${REGISTRY_CA_DIR}/ca.crt`;
/** Mounted read-only into the registry containers: registry.crt and registry.key only, never the CA's key. */
export const REGISTRY_CERT_DIR = `${REGISTRY_TLS_DIR}/registry`;

export function venvPath(release: string): string {
    return `/opt/venv/${release}`;
}

export function kollaPaths(release: string) {
    const venv = venvPath(release);
    return {
        venv,
        shippedMultinode: `${venv}/share/kolla-ansible/ansible/inventory/multinode`,
        examplePasswords: `${venv}/share/kolla-ansible/etc_examples/kolla/passwords.yml`,
        configDir: "/etc/kolla",
        globals: "/etc/kolla/globals.yml",
        passwords: "/etc/kolla/passwords.yml",
        /** The passwords the stack owns (mode 0600), merged into passwords.yml. */
        passwordOverrides: `${STATE_DIR}/passwords-override.yml`,
        /** Generated top groups; spliced with the shipped service groups into `inventory`. */
        inventoryTop: `${STATE_DIR}/inventory-top.ini`,
        inventory: "/etc/kolla/inventory",
        ansibleCfg: "/etc/ansible/ansible.cfg",
        adminOpenrc: "/etc/kolla/admin-openrc.sh",
        /** The octavia service user's credentials, written by post-deploy with Octavia (roles/octavia/tasks/openrc.yml). */
        octaviaOpenrc: "/etc/kolla/octavia-openrc.sh",
        /** The root CA kolla-ansible's `certificates` makes (kolla_certificates_dir/ca/root.crt). */
        caCertificate: "/etc/kolla/certificates/ca/root.crt",
        /** Private key kolla-ansible uses to reach the targets (generated on the deploy host, never leaves it). */
        deployKey: `${STATE_DIR}/ssh/deploy_key`,
        /** Built or fetched amphora images, uploaded into Glance from here. */
        imagesDir: `${STATE_DIR}/images`,
    } as const;
}

export type KollaPaths = ReturnType<typeof kollaPaths>;
