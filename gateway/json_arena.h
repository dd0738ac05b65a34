/* A per-thread bump allocator for jansson while an adapter transforms one body: parsing and
 * serialising a JSON document allocates once per value, and malloc/free dominated the adapted
 * path's profile. Outside a begin/end scope jansson uses malloc as usual. */
#ifndef GW_JSON_ARENA_H
#define GW_JSON_ARENA_H

/* Points jansson at the arena-aware allocator. Call once, before any thread uses jansson. */
void gw_json_arena_install(void);
/* Opens an arena scope on this thread: jansson allocations until gw_json_arena_end come from it.
 * Every value allocated in the scope must be released (or abandoned) before the end. */
void gw_json_arena_begin(void);
/* Closes the scope and recycles its memory (a bounded amount is kept for the next scope). */
void gw_json_arena_end(void);

/* Frees the memory kept for this thread; call as the thread ends. */
void gw_json_arena_thread_dispose(void);

#endif
