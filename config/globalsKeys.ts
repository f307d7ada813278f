// globals.yml keys the typed settings own: extraGlobals may not set them (it would silently fight the settings).
export const OWNED_GLOBALS: readonly string[] = [
    "kolla_base_distro", "openstack_release", "kolla_internal_vip_address",
    "network_interface", "api_interface", "neutron_external_interface", "tunnel_interface",
    "docker_registry", "docker_registry_insecure", "docker_namespace", "docker_apt_package_pin",
    "enable_octavia", "enable_heat", "enable_horizon", "octavia_network_type", "octavia_network_interface",
    "nova_compute_virt_type", "openstack_region_name",
    "kolla_enable_tls_internal", "kolla_enable_tls_external", "kolla_copy_ca_into_containers", "openstack_cacert", "kolla_admin_openrc_cacert",
    "enable_neutron_provider_networks", "neutron_bridge_name",
];
