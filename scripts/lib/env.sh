# Settings every diffarm process needs: DJL must never reach for the network.
export DJL_OFFLINE=true
export OPT_OUT_TRACKING=true
# libtorch warns on every process that NNPACK does not support this CPU; it falls back to other kernels.
export TORCH_CPP_LOG_LEVEL=ERROR
DIFFARM_JAVA_OPTS="${DIFFARM_JAVA_OPTS:--Xmx8g} -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
export DIFFARM_JAVA_OPTS
# libgomp's idle threads spin-wait; on a shared or busy machine that starves the threads doing work.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
