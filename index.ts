// openstack-aio: bare Ubuntu hosts → OpenStack (kolla-ansible) → first networks and images.
import { loadConfig } from "./config";

const { settings } = loadConfig();

export const environment = {
    release: settings.release,
    deployHost: settings.deployHost.address,
    hosts: settings.hosts.map((h) => ({ name: h.name, address: h.address, roles: h.roles })),
    vip: settings.vip,
};
