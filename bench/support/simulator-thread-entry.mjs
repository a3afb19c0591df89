// Worker entry for simulator-thread.ts: TypeScript needs tsx registered in this thread first.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.module)
