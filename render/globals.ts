// globals.yml from typed settings. kolla-ansible passes globals.yml as extra vars (`-e @globals.yml`), which beat
// inventory host vars: an interface that differs between hosts must therefore stay out of globals and go on the
// host lines of the inventory instead (see inventory.ts).
import { HostInterfaces, Settings } from "../config/settings";
import { jobboardStore } from "./images";

/** globals.yml key → the host interface it names. */
export const INTERFACE_VARS: Readonly<Record<string, keyof HostInterfaces>> = {
    network_interface: "management",
    api_interface: "api",
    neutron_external_interface: "external",
    tunnel_interface: "tunnel",
};

/** Interface vars whose value differs between hosts (they go per host into the inventory). */
export function perHostInterfaceVars(settings: Settings): string[] {
    return Object.entries(INTERFACE_VARS)
        .filter(([, iface]) => new Set(settings.hosts.map((h) => h.interfaces[iface])).size > 1)
        .map(([key]) => key);
}

export function globalsValues(settings: Settings): Record<string, unknown> {
    const g: Record<string, unknown> = {
        kolla_base_distro: settings.baseDistro,
        openstack_release: settings.release,
        openstack_region_name: settings.region,
        kolla_internal_vip_address: settings.vip,
    };
    const perHost = perHostInterfaceVars(settings);
    for (const [key, iface] of Object.entries(INTERFACE_VARS)) {
        if (!perHost.includes(key)) g[key] = settings.hosts[0].interfaces[iface];
    }
    Object.assign(g, {
        docker_registry: settings.registry.address,
        // Switches are YAML booleans: what a plain yes/no in kolla's example globals.yml reads as in PyYAML.
        // The registry serves TLS from the program's own CA (registry-tls.sh; docker_registry_ca on the host lines):
        // never in Docker's insecure-registries (ansible-collection-kolla roles/docker/tasks/config.yml adds it there
        // only when this is true, in 2023.1-eol and 9.1.0 alike).
        docker_registry_insecure: false,
        docker_namespace: settings.registry.namespace,
        nova_compute_virt_type: settings.novaVirtType,
        enable_heat: settings.services.heat,
        enable_horizon: settings.services.horizon,
        enable_octavia: settings.services.octavia,
    });
    if (settings.services.octavia) g.octavia_network_type = settings.octaviaNetworkType;
    // Octavia's jobboard is on by default with Octavia where the release has one (group_vars: enable_octavia_jobboard
    // "{{ enable_octavia | bool and 'amphora' in octavia_provider_drivers }}"), and octavia's precheck then asks for
    // its store (enable_valkey, or enable_redis on 2024.1): deploy the store, or turn the jobboard off.
    const store = jobboardStore(settings);
    if (store) g[store.store] = true;
    else if (settings.services.octavia && settings.pins.octaviaJobboard)
        g.enable_octavia_jobboard = false;
    if (settings.enableTls) {
        Object.assign(g, {
            kolla_enable_tls_internal: true,
            kolla_enable_tls_external: true,
            kolla_copy_ca_into_containers: true,
            openstack_cacert: "/etc/ssl/certs/ca-certificates.crt",
            // admin-openrc.sh on the deploy host trusts kolla's own CA (kolla_certificates_dir/ca/root.crt).
            kolla_admin_openrc_cacert: "/etc/kolla/certificates/ca/root.crt",
        });
    }
    // extraGlobals last; parseSettings already rejected keys owned above.
    return { ...g, ...settings.extraGlobals };
}

// YAML 1.1 plain scalars PyYAML resolves to booleans or null (resolver.py): a top-level key spelled so is quoted.
const YAML11_WORD = /^(y|n|yes|no|true|false|on|off|null)$/i;

/**
 * globals.yml as PyYAML (Ansible's loader, YAML 1.1) reads it back: one `key: value` line per variable, the value
 * written as JSON, which is YAML flow syntax. Every string is thus double-quoted, and a double-quoted scalar is always a
 * string to PyYAML: a region "NO", a release "2023.1", a time-like "12:30", a "=" (PyYAML's value tag) or a "<<" map
 * key (a merge) never turn into something else, as they can when plain. Switches are JSON booleans, numbers plain
 * decimals (parseSettings refuses others in extraGlobals, and Jinja markers, line breaks and characters PyYAML cannot
 * read in every string), so Ansible templates none of it. Keys are kolla variable names, also checked there.
 */
export function renderGlobals(settings: Settings): string {
    const lines = Object.entries(globalsValues(settings)).map(
        ([key, value]) =>
            `${YAML11_WORD.test(key) ? JSON.stringify(key) : key}: ${JSON.stringify(value)}`,
    );
    return [
        "---",
        "# Rendered by openstack-aio from the stack's settings; do not edit on the host.",
        ...lines,
        "",
    ].join("\n");
}
