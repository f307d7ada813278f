// The local registry's TLS from a CA this program owns, made on the deploy host (registry-tls.sh): the registry serves
// it, the targets trust the CA (docker_registry_ca on the inventory's host lines), so kolla's pulls cannot be answered
// by anyone else on the management network.
import { Settings } from "../config/settings";
import { REGISTRY_CA_DIR, REGISTRY_CERT_DIR, REGISTRY_TLS_DIR } from "./paths";
import { renderScript, Script, scriptBody } from "./script";

/** How long the CA and the certificate last: ten years (a private CA; the command re-issues on an address change). */
export const REGISTRY_TLS_DAYS = 3650;

/** Where the registry containers find their certificate and key (distribution v2.8.3 http.tls.certificate/key). */
export const REGISTRY_CONTAINER_CERT_DIR = "/certs";
export const REGISTRY_TLS_ENV = [
    `REGISTRY_HTTP_TLS_CERTIFICATE=${REGISTRY_CONTAINER_CERT_DIR}/registry.crt`,
    `REGISTRY_HTTP_TLS_KEY=${REGISTRY_CONTAINER_CERT_DIR}/registry.key`,
] as const;

export function registryTlsScript(settings: Settings): Script {
    return renderScript(
        "registry-tls.sh",
        {
            TLS_DIR: REGISTRY_TLS_DIR,
            CA_DIR: REGISTRY_CA_DIR,
            CERT_DIR: REGISTRY_CERT_DIR,
            ADDRESS: settings.deployHost.managementAddress,
            DAYS: REGISTRY_TLS_DAYS,
        },
        scriptBody("registry-tls.sh"),
    );
}

/** The certificate's fingerprint registry-tls.sh printed last ("registry-tls: AB:CD:…"), or "" before it ran. */
export function registryCertFingerprint(stdout: string): string {
    return /^registry-tls: ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$/m.exec(stdout)?.[1] ?? "";
}
