# %% [markdown]
# # 03_mlp

# %%
print(1)
