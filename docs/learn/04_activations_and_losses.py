# %% [markdown]
# # 04_activations_and_losses

# %%
print(1)
