class NativeOps(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.NativeOps, x: Tensor) -> Tensor:
    return x
  def group_norm(self: __torch__.NativeOps, x: Tensor, groups: int, weight: Tensor, bias: Tensor, eps: float) -> Tensor:
    return torch.group_norm(x, groups, weight, bias, eps)
  def group_norm_silu(self: __torch__.NativeOps, x: Tensor, groups: int, weight: Tensor, bias: Tensor, eps: float) -> Tensor:
    return torch.silu(torch.group_norm(x, groups, weight, bias, eps))
  def silu(self: __torch__.NativeOps, x: Tensor) -> Tensor:
    return torch.silu(x)
  def quick_gelu(self: __torch__.NativeOps, x: Tensor) -> Tensor:
    return x * torch.sigmoid(1.702 * x)
  def gelu(self: __torch__.NativeOps, x: Tensor) -> Tensor:
    return torch.gelu(x)
  def geglu(self: __torch__.NativeOps, x: Tensor) -> Tensor:
    parts = torch.chunk(x, 2, -1)
    return parts[0] * torch.gelu(parts[1])
  def attention(self: __torch__.NativeOps, q: Tensor, k: Tensor, v: Tensor, causal: bool) -> Tensor:
    return torch.scaled_dot_product_attention(q, k, v, None, 0.0, causal)
  def upsample_nearest(self: __torch__.NativeOps, x: Tensor, height: int, width: int) -> Tensor:
    return torch.upsample_nearest2d(x, [height, width], None, None)
  def channels_last(self: __torch__.NativeOps, x: Tensor) -> Tensor:
    return x.contiguous(memory_format=2)
  def contiguous(self: __torch__.NativeOps, x: Tensor) -> Tensor:
    return x.contiguous()
  def pack_conv_weight(self: __torch__.NativeOps, weight: Tensor, stride: int, padding: int) -> Tensor:
    return torch.mkldnn_reorder_conv2d_weight(weight.to_mkldnn(), [padding, padding], [stride, stride], [1, 1], 1, None)
  def packed_conv(self: __torch__.NativeOps, x: Tensor, packed: Tensor, bias: Tensor, stride: int, padding: int) -> Tensor:
    return ops.mkldnn._convolution_pointwise(x, packed, bias, [padding, padding], [stride, stride], [1, 1], 1, "none", [], None)
  def packed_conv_leaky_relu(self: __torch__.NativeOps, x: Tensor, packed: Tensor, bias: Tensor, stride: int, padding: int, slope: float) -> Tensor:
    return ops.mkldnn._convolution_pointwise(x, packed, bias, [padding, padding], [stride, stride], [1, 1], 1, "leaky_relu", annotate(List[Optional[number]], [slope]), None)
  def add_low_rank(self: __torch__.NativeOps, weight: Tensor, up: Tensor, down: Tensor) -> Tensor:
    return torch.addmm(torch.flatten(weight, 1), up, down).reshape(weight.size())
  def group_norm_grad(self: __torch__.NativeOps, x: Tensor, groups: Tensor, weight: Tensor, bias: Tensor, eps: Tensor) -> Tensor:
    return torch.group_norm(x, int(groups.item()), weight, bias, float(eps.item()))
  def group_norm_silu_grad(self: __torch__.NativeOps, x: Tensor, groups: Tensor, weight: Tensor, bias: Tensor, eps: Tensor) -> Tensor:
    return torch.silu(torch.group_norm(x, int(groups.item()), weight, bias, float(eps.item())))
  def attention_grad(self: __torch__.NativeOps, q: Tensor, k: Tensor, v: Tensor, causal: Tensor) -> Tensor:
    return torch.scaled_dot_product_attention(q, k, v, None, 0.0, bool(causal.item()))
  def upsample_nearest_grad(self: __torch__.NativeOps, x: Tensor, height: Tensor, width: Tensor) -> Tensor:
    return torch.upsample_nearest2d(x, [int(height.item()), int(width.item())], None, None)
