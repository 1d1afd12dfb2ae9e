// The smallest valid configuration (one site, one call manager), for tests that add the keys they are about.
export const MINIMAL_CONFIG = `sites:
  - id: main
    name: Main
callManagers:
  - id: cm1
    name: CM one
    site: main
    type: TAS
    host: 127.0.0.1
`;
