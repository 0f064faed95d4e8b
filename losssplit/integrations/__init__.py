"""Adapters that log exact companion values through each trainer's own channel.

Each submodule imports its framework when it is imported itself; ``import losssplit`` imports
none of them. Every adapter owns a :class:`losssplit.SplitMeter`, lets decorated calls report to
it during the training step (so no companion key reaches a summed loss dict), and at the
framework's logging points logs ``sum num / sum den`` over the window and over all ranks.

- ``losssplit.integrations.detectron2.LossSplitHook`` (``HookBase``)
- ``losssplit.integrations.lightning.LossSplitCallback`` (``lightning.pytorch.Callback``)
- ``losssplit.integrations.transformers.LossSplitCallback`` (``transformers.TrainerCallback``)
- ``losssplit.integrations.mmengine.LossSplitHook`` (``mmengine.hooks.Hook``)
- ``losssplit.integrations.tensorboard.log_to_tensorboard`` (``SummaryWriter``)
- ``losssplit.integrations.wandb.log_to_wandb`` (``wandb.Run``)
- ``losssplit.integrations.metrics_json.append_metrics_json`` (detectron2-style ``metrics.json``)
"""
