# %% [markdown]
# # 09_representation_learning

# %%
print(1)
