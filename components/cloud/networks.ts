// The external network, the tenant network and the router between them (init-runonce's public1, demo-net, demo-router).
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { Settings } from "../../config/settings";
import { Child } from "./shared";

/** External network, tenant network and the router between them. */
export class CloudNetworks extends pulumi.ComponentResource {
    readonly external: openstack.networking.Network;
    readonly externalSubnet: openstack.networking.Subnet;
    readonly tenant: openstack.networking.Network;
    readonly tenantSubnet: openstack.networking.Subnet;
    readonly router: openstack.networking.Router;

    constructor(
        name: string,
        args: { settings: Settings; provider: openstack.Provider },
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("openstack-aio:cloud:CloudNetworks", name, {}, opts);
        const { external, tenant } = args.settings.networks;
        const c: Child = { parent: this, provider: args.provider };
        this.external = new openstack.networking.Network(
            `${name}-external`,
            {
                name: external.name,
                external: true,
                // physnet1 is kolla's bridge mapping for br-ex, i.e. neutron_external_interface.
                segments: [{ networkType: "flat", physicalNetwork: external.physicalNetwork }],
            },
            c,
        );
        this.externalSubnet = new openstack.networking.Subnet(
            `${name}-external-subnet`,
            {
                name: external.subnetName,
                networkId: this.external.id,
                ipVersion: 4,
                cidr: external.cidr,
                gatewayIp: external.gateway,
                enableDhcp: false,
                allocationPools: [{ start: external.poolStart, end: external.poolEnd }],
            },
            c,
        );
        this.tenant = new openstack.networking.Network(`${name}-tenant`, { name: tenant.name }, c);
        this.tenantSubnet = new openstack.networking.Subnet(
            `${name}-tenant-subnet`,
            {
                name: tenant.subnetName,
                networkId: this.tenant.id,
                ipVersion: 4,
                cidr: tenant.cidr,
                gatewayIp: tenant.gateway,
                dnsNameservers: [...tenant.dnsServers],
            },
            c,
        );
        this.router = new openstack.networking.Router(
            `${name}-router`,
            {
                name: tenant.routerName,
                externalNetworkId: this.external.id,
            },
            { ...c, dependsOn: [this.externalSubnet] },
        );
        new openstack.networking.RouterInterface(
            `${name}-router-tenant`,
            {
                routerId: this.router.id,
                subnetId: this.tenantSubnet.id,
            },
            c,
        );
        this.registerOutputs({
            externalNetworkId: this.external.id,
            externalSubnetId: this.externalSubnet.id,
            tenantNetworkId: this.tenant.id,
            tenantSubnetId: this.tenantSubnet.id,
            routerId: this.router.id,
        });
    }
}
