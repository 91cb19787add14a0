"""The recipes: one flagfile per row of the paper's tables (`base/`: what a family shares), the
quickstart, and the fine-tuning and shipped-model recipes. Installed as `tfdeblur.recipes`."""
