export declare function statCpuMs(stat: string): number
export declare function threadCpuMs(): number
