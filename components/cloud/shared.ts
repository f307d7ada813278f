// What the cloud stage's components share: init-runonce's values and how a child resource is attached.
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { Settings } from "../../config/settings";

/** init-runonce's flavors (kolla-ansible 2023.1-eol and 22.1.0 alike): id, vCPUs, RAM MB, disk GB. */
export const INIT_RUNONCE_FLAVORS: readonly {
    name: string;
    id: string;
    vcpus: number;
    ram: number;
    disk: number;
}[] = [
    { name: "m1.tiny", id: "1", vcpus: 1, ram: 512, disk: 1 },
    { name: "m1.small", id: "2", vcpus: 1, ram: 2048, disk: 20 },
    { name: "m1.medium", id: "3", vcpus: 2, ram: 4096, disk: 40 },
    { name: "m1.large", id: "4", vcpus: 4, ram: 8192, disk: 80 },
    { name: "m1.xlarge", id: "5", vcpus: 8, ram: 16384, disk: 160 },
];

/** Ingress rules init-runonce adds to the admin project's default security group (8000: heat-cfn). */
export const INIT_RUNONCE_RULES: readonly { name: string; protocol: string; port?: number }[] = [
    { name: "icmp", protocol: "icmp" },
    { name: "ssh", protocol: "tcp", port: 22 },
    { name: "tcp-8000", protocol: "tcp", port: 8000 },
    { name: "tcp-8080", protocol: "tcp", port: 8080 },
];

export const INIT_RUNONCE_QUOTAS = { instances: 40, cores: 40, ram: 96000 } as const;

export function horizonUrl(settings: Settings): string {
    return `${settings.enableTls ? "https" : "http"}://${settings.vip}`;
}

/** A child of a cloud component, through that component's OpenStack provider. */
export interface Child {
    parent: pulumi.Resource;
    provider: openstack.Provider;
}
