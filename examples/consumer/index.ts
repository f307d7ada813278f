// A tiny consumer of openstack-aio's outputs: the stack contract in docs/cloud.md "The stack outputs".
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";

const cloud = new pulumi.StackReference(new pulumi.Config().require("cloudStack"));

const provider = new openstack.Provider("aio", {
    authUrl: cloud.requireOutput("authUrl") as pulumi.Output<string>,
    region: cloud.requireOutput("region") as pulumi.Output<string>,
    userName: "admin",
    tenantName: "admin",
    userDomainName: "Default",
    projectDomainName: "Default",
    password: cloud.requireOutput("adminPassword") as pulumi.Output<string>,
});

const flavorIds = cloud.requireOutput("flavorIds") as pulumi.Output<Record<string, string>>;

const server = new openstack.compute.Instance(
    "app",
    {
        imageId: cloud.requireOutput("cirrosImageId") as pulumi.Output<string>,
        flavorId: flavorIds.apply((ids) => ids["m1.tiny"]),
        keyPair: cloud.requireOutput("keypairName") as pulumi.Output<string>,
        networks: [{ uuid: cloud.requireOutput("tenantNetworkId") as pulumi.Output<string> }],
    },
    { provider },
);

export const serverId = server.id;
export const serverAddress = server.accessIpV4;
