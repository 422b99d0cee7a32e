import type { Worker } from 'node:worker_threads';

/** A worker thread's V8 heap: the process's resident memory holds it, the main thread's heap figures do not. */
export interface ThreadHeap {
  usedBytes: number;
  totalBytes: number;
}

export async function heapOf(worker: Worker): Promise<ThreadHeap> {
  const heap = await worker.getHeapStatistics();
  return { usedBytes: heap.used_heap_size, totalBytes: heap.total_heap_size };
}
