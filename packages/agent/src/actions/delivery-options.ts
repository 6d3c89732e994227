/** How the network sinks deliver: vigil's one delivery policy (shared), not in the config file. */
export { DEFAULT_DELIVERY, type DeliveryOptions } from '@vigil/shared';
