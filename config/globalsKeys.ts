// globals.yml keys the typed settings own, each with the setting to change instead: extraGlobals may not set them
// (it would silently fight the settings).
export const OWNED_GLOBAL_SETTINGS: Readonly<Record<string, string>> = {
    kolla_base_distro: "openstack-aio:baseDistro",
    openstack_release: "openstack-aio:release",
    kolla_internal_vip_address: "openstack-aio:vip",
    network_interface: "openstack-aio:hosts[].interfaces.management",
    api_interface: "openstack-aio:hosts[].interfaces.api",
    neutron_external_interface: "openstack-aio:hosts[].interfaces.external",
    tunnel_interface: "openstack-aio:hosts[].interfaces.tunnel",
    docker_registry: "openstack-aio:registryPort and openstack-aio:deployHost.managementAddress",
    docker_registry_insecure:
        "openstack-aio:registryPort (the local registry always serves TLS from this program's own CA)",
    docker_namespace: "openstack-aio:dockerNamespace",
    docker_apt_package_pin:
        "openstack-aio:release (config/releases pins the Docker version each release runs with)",
    enable_octavia_jobboard: "openstack-aio:octaviaJobboard",
    enable_valkey: "openstack-aio:octaviaJobboard (valkey is the jobboard's store)",
    enable_redis: "openstack-aio:octaviaJobboard (redis is the jobboard's store on 2024.1)",
    enable_octavia: "openstack-aio:enableOctavia",
    enable_heat: "openstack-aio:enableHeat",
    enable_horizon: "openstack-aio:enableHorizon",
    octavia_network_type: "openstack-aio:octaviaNetworkType",
    octavia_network_interface: "openstack-aio:octaviaNetworkType",
    nova_compute_virt_type: "openstack-aio:novaVirtType",
    openstack_region_name: "openstack-aio:region",
    kolla_enable_tls_internal: "openstack-aio:enableTls",
    kolla_enable_tls_external: "openstack-aio:enableTls",
    kolla_copy_ca_into_containers: "openstack-aio:enableTls",
    openstack_cacert: "openstack-aio:enableTls",
    kolla_admin_openrc_cacert: "openstack-aio:enableTls",
    enable_neutron_provider_networks: "openstack-aio:networks.external",
    neutron_bridge_name: "openstack-aio:networks.external.physicalNetwork",
};

/**
 * Why an extraGlobals key that is not owned by a typed setting is still refused, or undefined when it may be set.
 * The image mirror copies exactly the images of the services the typed settings enable at the release's tag
 * (render/images.ts), so any key that changes which images kolla pulls would make `pull` fail after bootstrap.
 */
export function refusedGlobal(key: string): string | undefined {
    // kolla-ansible 16.7.0 ansible/group_vars/all.yml: every service and feature switch is an `enable_*` variable.
    if (key.startsWith("enable_")) {
        return `${key} switches a kolla service or feature, but the image mirror copies only the images of the services this program deploys (the core services and enableHeat, enableHorizon, enableOctavia), so kolla would pull images the registry does not have; this program does not support ${key}: remove it`;
    }
    // kolla-ansible 16.7.0 ansible/group_vars/all.yml: openstack_tag = "{{ openstack_release }}-{{ kolla_base_distro }}-
    // {{ kolla_base_distro_version }}{{ openstack_tag_suffix }}"; roles/*/defaults: <service>_image, <service>_tag and
    // <service>_image_full pick each container's image; docker_image_url and docker_registry* pick where it comes from.
    if (
        [
            "openstack_tag",
            "openstack_tag_suffix",
            "kolla_base_distro_version",
            "kolla_base_distro_version_default_map",
        ].includes(key) ||
        /_(image|tag|image_full)$/.test(key) ||
        key.startsWith("docker_registry") ||
        key.startsWith("docker_image") ||
        key === "docker_namespace"
    ) {
        return `${key} changes which container images kolla pulls, but the image mirror copies only the images of this program's services at the tag openstack-aio:release and openstack-aio:baseDistro select, from openstack-aio:registrySource/openstack-aio:dockerNamespace; set those settings instead and remove ${key}`;
    }
    // kolla-ansible passes globals.yml as extra vars (-e @globals.yml), which override every inventory host var: an
    // ansible_* connection variable there (ansible_ssh_common_args, ansible_user, ...) would apply to every host.
    if (key.startsWith("ansible_") || ANSIBLE_MAGIC_VARIABLES.includes(key)) {
        return `${key} is an Ansible connection or magic variable; globals.yml is passed as extra vars and would override it for every host (connections come from openstack-aio:hosts[].sshUser/sshPort and openstack-aio:sshUser/sshPort): remove it`;
    }
    return undefined;
}

// ansible-core 2.14 lib/ansible/vars/manager.py (_get_magic_variables) and inventory/host.py (get_magic_vars):
// names Ansible sets itself for every host and play (the ansible_* ones are refused by prefix).
export const ANSIBLE_MAGIC_VARIABLES: readonly string[] = [
    "hostvars",
    "groups",
    "group_names",
    "inventory_hostname",
    "inventory_hostname_short",
    "inventory_dir",
    "inventory_file",
    "playbook_dir",
    "play_hosts",
    "role_names",
    "role_name",
    "role_path",
    "role_uuid",
    "omit",
];
