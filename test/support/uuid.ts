/** A UUID of version 7 and RFC 9562's variant, as the hub gives its deliveries. */
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The milliseconds a version 7 UUID starts with. */
export const uuidMillis = (id: string): number => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
