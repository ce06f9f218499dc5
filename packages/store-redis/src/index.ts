/** Public surface of @dome-verifier/store-redis: the Redis `Store` for multi-replica deployments. */
export { createRedisStore, redactRedisUrl, STORE_UNAVAILABLE_MESSAGE, type RedisStore, type RedisStoreOptions } from './redis-store.ts';
