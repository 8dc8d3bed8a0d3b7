// Captured from a real dockerd 20.10 swarm (shared/reference/engine-api-traces.jsonl, GET /swarm):
// its root CA (ECDSA P-256, as swarmkit makes them), the TLSInfo dockerd reported for it, and the
// join tokens it handed out. Golden values: our code must reproduce them from the PEM alone.
export const DOCKERD_TLS_INFO = {
  TrustRoot: "-----BEGIN CERTIFICATE-----\nMIIBaTCCARCgAwIBAgIUUEW5f9RQdPVadupQlqJt2XIebZ4wCgYIKoZIzj0EAwIw\nEzERMA8GA1UEAxMIc3dhcm0tY2EwHhcNMjYxMTI2MTE1NTAwWhcNNDYxMTIxMTE1\nNTAwWjATMREwDwYDVQQDEwhzd2FybS1jYTBZMBMGByqGSM49AgEGCCqGSM49AwEH\nA0IABEimDeY5BYNmaP0D+RyFkTFOi+893EX6JATy1HtNtXHLN45J8xa0H+lWgUnb\niodFURkI0dTqsdF4gjzkX6NR45ujQjBAMA4GA1UdDwEB/wQEAwIBBjAPBgNVHRMB\nAf8EBTADAQH/MB0GA1UdDgQWBBQD3rifX3jEf86RRckPb3lKneD4djAKBggqhkjO\nPQQDAgNHADBEAiBQJQ4nWAkYH62Bb3PTrjqCzTGSNgFNNIMsnxpX+zCMHgIgXNOh\n4fKDisyNEVN9CTBLzXDYuDJ4gSayczGA62F3G0M=\n-----END CERTIFICATE-----\n",
  CertIssuerSubject: "MBMxETAPBgNVBAMTCHN3YXJtLWNh",
  CertIssuerPublicKey: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAESKYN5jkFg2Zo/QP5HIWRMU6L7z3cRfokBPLUe021ccs3jknzFrQf6VaBSduKh0VRGQjR1Oqx0XiCPORfo1Hjmw==",
} as const;

export const DOCKERD_JOIN_TOKENS = {
  worker: "SWMTKN-1-1zo83574ewocg82pw0wdjcvc85g7p9wkw9kcbp8jd5mw3bkk1i-a8fiiug3de6vrwasjs0c8x1mf",
  manager: "SWMTKN-1-1zo83574ewocg82pw0wdjcvc85g7p9wkw9kcbp8jd5mw3bkk1i-agvr3xp6tn1n5lqq9hd5ades4",
} as const;
