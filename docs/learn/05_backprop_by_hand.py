# %% [markdown]
# # 05_backprop_by_hand

# %%
print(1)
