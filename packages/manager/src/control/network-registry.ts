// The network control operations by name, for the registry.
import type { ControlContext } from './context.js';
import { createNetwork, getNetwork, listNetworks, pruneNetworks, removeNetwork } from './network-ops.js';
import type { NetworkCreateRequest } from './network-spec.js';
import type { NetworkFilters } from './network-view.js';

export const networkOperations = {
  createNetwork: (ctx: ControlContext, p: NetworkCreateRequest) => createNetwork(ctx, p),
  getNetwork: (ctx: ControlContext, p: { id: string; verbose?: boolean }) => getNetwork(ctx, p),
  listNetworks: (ctx: ControlContext, p: { filters?: NetworkFilters }) => listNetworks(ctx, p),
  removeNetwork: (ctx: ControlContext, p: { id: string }) => removeNetwork(ctx, p),
  pruneNetworks: (ctx: ControlContext, p: { filters?: NetworkFilters }) => pruneNetworks(ctx, p),
};
